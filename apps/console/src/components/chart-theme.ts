/** Colors for charts (recharts takes them as props, not from the stylesheet); they match styles.css. */
export const chartColors = {
  primary: '#4f46e5',
  secondary: '#0ea5e9',
  grid: '#e5e7eb',
  axis: '#6b7280',
};

/** One color per series, in order. */
export const seriesColors = [
  '#4f46e5',
  '#0ea5e9',
  '#16a34a',
  '#d97706',
  '#db2777',
  '#7c3aed',
  '#0d9488',
  '#64748b',
];

export const axisProps = { stroke: chartColors.axis, fontSize: 12, tickLine: false } as const;
