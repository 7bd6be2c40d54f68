// Reads what the API server stored, straight from the test cluster's etcd (its JSON gateway), to see in
// which API version a custom resource is stored: nothing the Kubernetes API shows tells that.
import { fetch } from 'undici';

/** The apiVersion `kind` `namespace/name` is stored in; custom resources are stored as JSON. */
export async function storedApiVersion(
  etcd: string,
  group: string,
  plural: string,
  namespace: string,
  name: string,
): Promise<string> {
  const key = Buffer.from(`/registry/${group}/${plural}/${namespace}/${name}`).toString('base64');
  const res = await fetch(`${etcd}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key }) });
  const body = (await res.json()) as { kvs?: { value: string }[] };
  const value = body.kvs?.[0]?.value;
  if (!value) throw new Error(`etcd has no ${group}/${plural} ${namespace}/${name}`);
  return (JSON.parse(Buffer.from(value, 'base64').toString()) as { apiVersion: string }).apiVersion;
}
