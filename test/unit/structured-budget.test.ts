// What a model reads is the same whichever client it runs in (docs/structured-content.md): for every tool, the
// compact structuredContent (what Claude Code and Codex show the model) names every fact the text names (what
// Claude Desktop, claude.ai and ChatGPT show) and takes at most 1.25x the text's bytes, on fixed fixtures of
// the sizes the benchmarks use (1,000 Flux objects with 10 failing and 3 suspended, a large tree, a Helm
// history, a fleet of 20 contexts).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conform } from '../../src/server/conform.js';
import { outputShape } from '../../src/server/tool-definitions.js';
import { TOOLS } from '../../tools/index.js';
import { ANSWERS, factTokens } from '../support/answers.js';

const BUDGET = 1.25;
const bytes = (s: string) => Buffer.byteLength(s);

describe('the compact structured content of every tool', () => {
  it('has a fixture for every tool in the table', () => {
    const missing = TOOLS.map((t) => t.name).filter((name) => !ANSWERS.some((a) => a.tool === name));
    expect(missing, 'tools without a fixture in test/support/answers.ts').toEqual([]);
  });

  for (const answer of ANSWERS) {
    describe(`${answer.tool}: ${answer.fixture}`, () => {
      const tool = TOOLS.find((t) => t.name === answer.tool)!;
      const { text, compact } = answer.render();
      const json = JSON.stringify(compact);

      it('is declared by the tool, exactly', () => {
        expect(tool.compact, `${answer.tool} declares no compact form`).toBeDefined();
        const checked = conform(z.object(outputShape(tool, 'compact')), compact as Record<string, unknown>);
        expect(checked.error).toBeUndefined();
        expect(checked.undeclared).toEqual([]);
      });

      it(`takes at most ${BUDGET}x the bytes of the text`, () => {
        expect(
          bytes(json) / bytes(text),
          `${bytes(json)} B of JSON for ${bytes(text)} B of text`,
        ).toBeLessThanOrEqual(BUDGET);
      });

      it('names every fact the text names', () => {
        const missing = factTokens(text).filter(
          (t) => !json.includes(t) && ![...(answer.given ?? []), ...(answer.derived ?? [])].includes(t),
        );
        expect(missing).toEqual([]);
      });

      it('has no nulls, no false and no empty lists', () => {
        expect(json).not.toMatch(/:null|:false|:\[\]|:\{\}/);
      });
    });
  }
});
