import { formatPercent } from '../format.js';

/** The marks the plan's alerts fire at. */
const marks = [80, 90, 100];

/**
 * One plan limit as a bar: how much is used, with the 80/90/100 % marks. `percent` null means the plan has no
 * such limit.
 */
export function QuotaBar({
  label,
  used,
  limit,
  percent,
}: {
  label: string;
  used: string;
  limit: string;
  percent: number | null;
}) {
  const tone = percent === null ? 'ok' : percent >= 100 ? 'bad' : percent >= 80 ? 'warn' : 'ok';
  // The track shows up to 110 % so that 100 % is a visible mark and an overrun still shows.
  const width = percent === null ? 0 : Math.min(percent, 110) / 1.1;
  return (
    <div className="quota">
      <div className="quota-label">
        <span className="quota-name">{label}</span>
        <span className="quota-numbers">
          {used} of {limit}
          {percent !== null && <strong> · {formatPercent(percent)}</strong>}
        </span>
      </div>
      <div
        className={`quota-track quota-${tone}`}
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent === null ? 0 : Math.round(percent)}
        aria-valuetext={percent === null ? 'unlimited' : formatPercent(percent)}
      >
        <div className="quota-fill" style={{ width: `${width}%` }} />
        {percent !== null &&
          marks.map((mark) => (
            <span key={mark} className="quota-mark" style={{ left: `${mark / 1.1}%` }} title={`${mark} %`}>
              <span className="quota-mark-label">{mark}%</span>
            </span>
          ))}
      </div>
    </div>
  );
}
