// Who the API server sees for a caller, asked in one request: a stateless server answers a lone tools/call of
// get_kubeconfig_contexts, whose actingAs is a SelfSubjectReview made as the caller. For tests that ask it of
// thousands of tokens (the claims fuzz), where a session per token would be most of the work.

export type ActingAs =
  { status: 200; user: string; groups: string[] } | { status: number; description: string };

function errorDescription(res: Response): string {
  const header = res.headers.get('www-authenticate') ?? '';
  return /error_description="([^"]*)"/.exec(header)?.[1] ?? '';
}

/** The JSON-RPC message of an answer sent as JSON or as one server-sent event. */
async function message(res: Response): Promise<{ result?: { structuredContent?: Record<string, unknown> } }> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .at(-1);
    return JSON.parse(data ?? '{}') as { result?: { structuredContent?: Record<string, unknown> } };
  }
  return JSON.parse(text) as { result?: { structuredContent?: Record<string, unknown> } };
}

/** Asks a --stateless --impersonate server who the API server sees for `token`. */
export async function actingAs(url: string, token: string): Promise<ActingAs> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'Mcp-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'get_kubeconfig_contexts', arguments: {} },
    }),
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    return { status: res.status, description: errorDescription(res) };
  }
  const answer = await message(res);
  const seen = answer.result?.structuredContent?.actingAs as
    { user: string; groups: string[]; source: string } | undefined;
  if (!seen || seen.source !== 'api-server')
    throw new Error(`the server did not say whom the API server sees: ${JSON.stringify(answer)}`);
  return { status: 200, user: seen.user, groups: seen.groups };
}

/** Runs `work` over `items`, `concurrency` at a time, in order of the results. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}
