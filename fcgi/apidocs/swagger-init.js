// swagger-init.js: starts Swagger UI on the API's OpenAPI document (a file, so no inline script is needed).
window.ui = SwaggerUIBundle({
  url: "/api/schema/",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,   // no badge fetched from validator.swagger.io
});
