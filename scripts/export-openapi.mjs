#!/usr/bin/env node
// npm run openapi:export: writes docs/openapi.json, the OpenAPI document as the service serves it at
// /docs/openapi.json on its embedded defaults, from the compiled service (the npm script builds it
// first). A test fails when the committed file differs from what the service serves.
import { writeFileSync } from 'node:fs';
import { exportedOpenApiDocument, EXPORTED_OPENAPI_FILE } from '../dist/openapi/openapi-export.js';

const target = new URL(`../${EXPORTED_OPENAPI_FILE}`, import.meta.url);
writeFileSync(target, await exportedOpenApiDocument());
process.stdout.write(`wrote ${EXPORTED_OPENAPI_FILE}\n`);
