// Validates Kubernetes manifests (multi-document YAML files, e.g. `kubectl kustomize` output) against the
// Kubernetes OpenAPI schemas of kubernetes-models, KEDA's CRD schemas of @kubernetes-models/keda and, for
// the kinds in CRD_SCHEMAS, a JSON Schema kept here (schemas/, derived from the operator's CRD) applied
// with Ajv. Prints one line per object; exits 1 when one is invalid or of a kind it has no schema for.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";

// CRDs no npm package ships: schemas/gen-rabbitmqcluster.py says where this one comes from.
const CRD_SCHEMAS = {
  "rabbitmq.com/v1beta1/RabbitmqCluster": new URL("./schemas/rabbitmqcluster-v1beta1.schema.json", import.meta.url),
};

// "x-k8s-core": NAME in a CRD schema is a core Kubernetes type embedded by the CRD, checked with
// kubernetes-models' compiled schema of that type (loaded before compiling, as Ajv keywords are synchronous).
const core = {};
async function loadCore(node) {
  if (node && typeof node === "object") {
    const name = node["x-k8s-core"];
    if (name && !core[name]) {
      const pkg = name.startsWith("IoK8sApimachinery") ? "@kubernetes-models/apimachinery" : "kubernetes-models";
      core[name] = (await import(`${pkg}/_schemas/${name}`)).validate;
    }
    for (const v of Object.values(node)) await loadCore(v);
  }
}
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addKeyword({
  keyword: "x-k8s-core",
  errors: true,
  validate: function check(name, data, _schema, ctx) {
    const validate = core[name];
    if (validate(data)) return true;
    check.errors = validate.errors.map((e) => ({ ...e, instancePath: (ctx?.instancePath ?? "") + e.instancePath }));
    return false;
  },
});
const crdValidators = {};
for (const [kind, url] of Object.entries(CRD_SCHEMAS)) {
  const schema = JSON.parse(readFileSync(url, "utf8"));
  await loadCore(schema);
  crdValidators[kind] = ajv.compile(schema);
}
let invalid = 0;
let valid = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) { invalid++; console.log(`INVALID ${file}: YAML: ${doc.errors[0].message}`); continue; }
    const obj = doc.toJS();
    if (!obj) continue;
    const name = `${obj.apiVersion}/${obj.kind} ${obj.metadata?.name}`;
    const [group, version] = String(obj.apiVersion).includes("/") ? obj.apiVersion.split("/") : [null, obj.apiVersion];
    const crd = crdValidators[`${obj.apiVersion}/${obj.kind}`];
    if (crd) {
      if (crd(obj)) {
        valid++; console.log(`valid ${name} (CRD schema)`);
      } else {
        invalid++;
        console.log(`INVALID ${name}: ${crd.errors.slice(0, 6).map((e) => `${e.instancePath || "/"} ${e.message ?? `${e.keyword} ${JSON.stringify(e.params)}`}`
          + (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : "")).join("; ")}`);
      }
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
