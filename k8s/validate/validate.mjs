// Validates Kubernetes manifests (multi-document YAML files, e.g. `kubectl kustomize` output) against the
// Kubernetes OpenAPI schemas of kubernetes-models and KEDA's CRD schemas of @kubernetes-models/keda.
// Prints one line per object; exits 1 when one is invalid or of a kind it has no schema for, except the
// kinds in NO_SCHEMA, which it names as not validated.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// No npm package ships the RabbitMQ Cluster Operator's CRD schema.
const NO_SCHEMA = new Set(["rabbitmq.com/v1beta1/RabbitmqCluster"]);
let invalid = 0;
let valid = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) { invalid++; console.log(`INVALID ${file}: YAML: ${doc.errors[0].message}`); continue; }
    const obj = doc.toJS();
    if (!obj) continue;
    const name = `${obj.apiVersion}/${obj.kind} ${obj.metadata?.name}`;
    const [group, version] = String(obj.apiVersion).includes("/") ? obj.apiVersion.split("/") : [null, obj.apiVersion];
    if (NO_SCHEMA.has(`${obj.apiVersion}/${obj.kind}`)) {
      console.log(`NOT VALIDATED ${name}: no schema package for this CRD`);
      continue;
    }
    const module = group === "keda.sh"
      ? `@kubernetes-models/keda/keda.sh/${version}/${obj.kind}`
      : `kubernetes-models/${group ? group + "/" : ""}${version}/${obj.kind}`;
    let Model;
    try {
      Model = (await import(module))[obj.kind];
    } catch (e) {
      invalid++; console.log(`INVALID ${name}: no schema (${module})`); continue;
    }
    try {
      new Model(obj).validate();
      valid++; console.log(`valid ${name}`);
    } catch (e) {
      invalid++; console.log(`INVALID ${name}: ${e.message.split("\n").slice(0, 6).join(" ")}`);
    }
  }
}
console.log(`k8s: ${valid} valid, ${invalid} invalid`);
process.exit(invalid === 0 ? 0 : 1);
