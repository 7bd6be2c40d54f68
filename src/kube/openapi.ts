// Strategic merge metadata of built-in kinds from the API server's OpenAPI v3 documents: the
// x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key extensions, which the server generates from
// the same Go struct tags client-go's strategic merge reads.
import type { KubeClient } from './client.js';
import { NO_SCHEMA, type PatchMeta, type PatchSchema } from './merge.js';

interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

interface OpenApiDocument {
  components?: { schemas?: Record<string, SchemaNode> };
}

const TTL_MS = 10 * 60_000;

class OpenApiSchema implements PatchSchema {
  constructor(
    private readonly schemas: Record<string, SchemaNode>,
    private readonly node: SchemaNode | undefined,
  ) {}

  private resolve(node: SchemaNode | undefined, depth = 0): SchemaNode | undefined {
    if (!node || depth > 8) return node;
    const ref = node.$ref ?? node.allOf?.find((n) => n.$ref)?.$ref;
    if (!ref) return node;
    return this.resolve(this.schemas[ref.replace('#/components/schemas/', '')], depth + 1);
  }

  field(key: string): PatchMeta {
    const self = this.resolve(this.node);
    let prop = self?.properties?.[key];
    if (!prop && typeof self?.additionalProperties === 'object') prop = self.additionalProperties;
    if (!prop) return { strategies: [], schema: NO_SCHEMA };
    const value = this.resolve(prop);
    const element = value?.type === 'array' ? this.resolve(value.items) : value;
    const strategy = prop['x-kubernetes-patch-strategy'];
    const mergeKey = prop['x-kubernetes-patch-merge-key'];
    return {
      strategies: strategy ? strategy.split(',') : [],
      ...(mergeKey ? { mergeKey } : {}),
      schema: new OpenApiSchema(this.schemas, element),
    };
  }
}

/** OpenAPI v3 documents of one cluster, fetched per group version on first use. */
export class OpenApi {
  private docs = new Map<string, { at: number; doc: Promise<OpenApiDocument> }>();

  constructor(private readonly client: KubeClient) {}

  private document(group: string, version: string, signal?: AbortSignal): Promise<OpenApiDocument> {
    const path = group ? `/openapi/v3/apis/${group}/${version}` : `/openapi/v3/api/${version}`;
    const cached = this.docs.get(path);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.doc;
    const doc = this.client.request<OpenApiDocument>('GET', path, {
      ...(signal ? { signal } : {}),
      timeoutMs: 60_000,
      describe: { verb: 'get', resource: `OpenAPI schema of ${group ? `${group}/` : ''}${version}` },
    });
    this.docs.set(path, { at: Date.now(), doc });
    doc.catch(() => this.docs.delete(path));
    return doc;
  }

  /** The strategic merge metadata of a kind; fields the document does not describe merge without any. */
  async patchSchema(
    group: string,
    version: string,
    kind: string,
    signal?: AbortSignal,
  ): Promise<PatchSchema> {
    const schemas = (await this.document(group, version, signal)).components?.schemas ?? {};
    const root = Object.values(schemas).find((s) =>
      s['x-kubernetes-group-version-kind']?.some(
        (g) => g.group === group && g.version === version && g.kind === kind,
      ),
    );
    return root ? new OpenApiSchema(schemas, root) : NO_SCHEMA;
  }
}
