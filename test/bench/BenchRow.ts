/** One line of a benchmark's table, as `npm run bench` prints it. */
export type BenchRow = Record<string, string | number>;
