// Validates Kubernetes objects against the API's own schemas (the kubernetes-models package: the OpenAPI schemas of
// Kubernetes compiled to validators). Usage: node validate.mjs FILE.json... — each file holds one object, as
// DeployManifestsTest writes them from deploy/k8s/*.yaml. Prints one PASS or FAIL line per object; exits 1 on any FAIL.
import { readFileSync } from 'node:fs';

const kinds = {
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
};

let failed = 0;
for (const file of process.argv.slice(2)) {
  const object = JSON.parse(readFileSync(file, 'utf8'));
  const type = `${object.apiVersion}/${object.kind}`;
  const name = `${type} ${object.metadata?.name} (${file})`;
  const module = kinds[type];
  if (!module) {
    console.log(`FAIL ${name}: no schema known for ${type}`);
    failed++;
    continue;
  }
  const Model = Object.values(await import(module))[0];
  try {
    new Model(object).validate();
    console.log(`PASS ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
