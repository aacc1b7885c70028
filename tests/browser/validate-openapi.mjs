// validate-openapi.mjs: validates an OpenAPI document (file or URL) with swagger-parser (OpenAPI 3 JSON Schema + structure).
//
// Usage: node validate-openapi.mjs <url-or-file>. Prints the operations as "METHOD path" lines; exit 1 when invalid.
import SwaggerParser from "@apidevtools/swagger-parser";

const source = process.argv[2];
if (!source) {
  console.error("validate-openapi: give a URL or a file");
  process.exit(2);
}
try {
  const api = await SwaggerParser.validate(source);
  console.log(`valid: ${api.info.title} (OpenAPI ${api.openapi})`);
  for (const [p, item] of Object.entries(api.paths)) {
    for (const m of ["get", "put", "post", "delete", "options", "head", "patch", "trace"]) {
      if (item[m]) console.log(`op: ${m.toUpperCase()} ${p}`);
    }
  }
} catch (e) {
  console.error(`invalid: ${e.message}`);
  process.exit(1);
}
