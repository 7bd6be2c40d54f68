import type { ClusterInfo } from '../test/cluster/cluster.js';

export interface Row {
  metric: string;
  value: number;
  unit: string;
  /** What the value is compared with in the same run, when it is a ratio. */
  note?: string;
}

export interface BenchResult {
  name: string;
  rows: Row[];
  /** A Markdown table of the figures side by side, printed after the rows (and ready for the README). */
  table?: string;
}

export interface BenchEnv {
  cluster: ClusterInfo;
  /** Scale down for a quick run (BENCH_QUICK=1). */
  quick: boolean;
}
