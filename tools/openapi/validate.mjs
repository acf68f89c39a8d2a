// Validates OpenAPI documents with @apidevtools/swagger-parser (schema of the OpenAPI version the document
// declares, plus $ref resolution). Usage: node validate.mjs FILE...; prints one line per file, exit 1 on any error.
import SwaggerParser from "@apidevtools/swagger-parser";

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const api = await SwaggerParser.validate(file);
    const operations = Object.values(api.paths ?? {}).reduce((n, item) => n + Object.keys(item).length, 0);
    console.log(`valid: ${file} (OpenAPI ${api.openapi}, ${operations} operations)`);
  } catch (e) {
    failed++;
    console.log(`invalid: ${file}: ${e.message}`);
  }
}
if (process.argv.length < 3) {
  console.log("usage: node validate.mjs FILE...");
  failed = 1;
}
process.exit(failed ? 1 : 0);
