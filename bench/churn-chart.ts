import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { type ChurnComparison, DESIGNS, RUNS_PER_STEP } from './churn-comparison.js';

/**
 * The churn comparison as one picture: the share of the ALB's live IPs each design's target group
 * held after every scheduled run and, below, the dead IPs it still held, with the ALB's changes
 * marked where they happened. Drawn with
 * Vega-Lite, rendered to SVG by Vega's headless view (no browser, no canvas: text is measured by
 * estimate, so the same data gives the same file).
 */
const CHART_TITLE = "One ALB's history: this project's sync against DNS sampling, run by run";

const escapeXml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll("'", '&apos;');

export async function churnChartSvg(comparison: ChurnComparison, shortLabels: readonly string[]) {
  const shares = comparison.records.map((record) => ({
    run: record.run,
    design: record.design,
    share: record.liveIps === 0 ? 100 : (100 * record.liveRegistered) / record.liveIps,
  }));
  const steps = comparison.steps.map((_, step) => ({
    at: step * RUNS_PER_STEP + 0.5,
    label: shortLabels[step] ?? comparison.steps[step],
  }));
  const dead = comparison.records.map((record) => ({
    run: record.run,
    design: record.design,
    dead: record.deadRegistered,
  }));
  const runs = comparison.steps.length * RUNS_PER_STEP;
  const x = (title: string | null) => ({
    field: 'run',
    type: 'quantitative' as const,
    title,
    scale: { domain: [0.5, runs + 0.5], nice: false },
    axis: { tickMinStep: 1 },
  });
  const color = {
    field: 'design',
    type: 'nominal' as const,
    scale: { domain: [...DESIGNS], range: ['#1b7837', '#b2182b'] },
    legend: { orient: 'bottom' as const, title: null, labelLimit: 400 },
  };
  const changes = [
    {
      data: { values: steps },
      mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#888' },
      encoding: { x: { field: 'at', type: 'quantitative' as const } },
    },
  ];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: CHART_TITLE,
      subtitle: `npm run bench (seed ${comparison.seed}); dashed lines: the ALB changes`,
    },
    background: 'white',
    vconcat: [
      {
        width: 760,
        height: 240,
        layer: [
          ...changes,
          {
            data: { values: steps },
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 11 },
            encoding: {
              x: { field: 'at', type: 'quantitative' },
              y: { datum: 100 },
              text: { field: 'label' },
            },
          },
          {
            data: { values: shares },
            mark: { type: 'line', point: true, strokeWidth: 2 },
            encoding: {
              x: x(null),
              y: {
                field: 'share',
                type: 'quantitative',
                title: 'live ALB IPs registered (%)',
                scale: { domain: [0, 105], nice: false },
                axis: { values: [0, 25, 50, 75, 100] },
              },
              color,
            },
          },
        ],
      },
      {
        width: 760,
        height: 110,
        layer: [
          ...changes,
          {
            data: { values: dead },
            mark: { type: 'line', point: true, strokeWidth: 2 },
            encoding: {
              x: x(`scheduled run (${RUNS_PER_STEP} after each change)`),
              y: { field: 'dead', type: 'quantitative', title: 'dead IPs registered' },
              color,
            },
          },
        ],
      },
    ],
  };
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    // A title for screen readers and for the browser's tooltip: Vega writes none of its own.
    return (await view.toSVG()).replace(
      /^<svg [^>]*>/,
      (open) => `${open}<title>${escapeXml(CHART_TITLE)}</title>`,
    );
  } finally {
    view.finalize();
  }
}
