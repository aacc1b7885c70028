// redoc-init.js: starts ReDoc on the API's OpenAPI document (a file, so no inline script is needed).
Redoc.init("/api/schema/", { hideDownloadButton: false }, document.getElementById("redoc"));
