import { Fragment, useState, type FormEvent } from 'react';
import { useCreatePlan, useUpdatePlan, type Plan, type PlanLimits } from '../../api/operator.js';
import { formatCount, formatLimit, formatRequests, formatTokens, formatUsd } from '../../format.js';
import { Badge } from '../Card.js';
import { ActionError } from '../states.js';

/** The editable limits, with their labels; 0 means unlimited for every limit. */
const limitFields: { field: keyof PlanLimits; label: string; step: string }[] = [
  { field: 'monthlyPrice', label: 'Price a month (USD)', step: '0.01' },
  { field: 'monthlyRequestLimit', label: 'Requests a month', step: '1' },
  { field: 'monthlyTokenLimit', label: 'Tokens a month', step: '1' },
  { field: 'monthlyCostCapUsd', label: 'Cost cap a month (USD)', step: '0.01' },
  { field: 'maxTokensPerRequest', label: 'Max tokens a request', step: '1' },
  { field: 'rateLimitPerMinute', label: 'Requests a minute', step: '1' },
];

type Draft = Record<keyof PlanLimits, string>;

const draftOf = (plan?: Plan): Draft =>
  Object.fromEntries(limitFields.map(({ field }) => [field, String(plan?.[field] ?? 0)])) as Draft;

/** The draft as numbers; names the first field that is not a number of zero or more. */
function parseDraft(draft: Draft): { limits: PlanLimits } | { error: string } {
  const limits = {} as PlanLimits;
  for (const { field, label } of limitFields) {
    const value = Number(draft[field]);
    if (draft[field].trim() === '' || !Number.isFinite(value) || value < 0)
      return { error: `${label} must be a number of 0 or more (0 = unlimited).` };
    limits[field] = value;
  }
  return { limits };
}

function LimitInputs({
  draft,
  onChange,
  idPrefix,
}: {
  draft: Draft;
  onChange: (draft: Draft) => void;
  idPrefix: string;
}) {
  return (
    <div className="form-row">
      {limitFields.map(({ field, label, step }) => (
        <label key={field} htmlFor={`${idPrefix}-${field}`}>
          {label}
          <input
            id={`${idPrefix}-${field}`}
            type="number"
            min="0"
            step={step}
            value={draft[field]}
            onChange={(event) => onChange({ ...draft, [field]: event.target.value })}
          />
        </label>
      ))}
    </div>
  );
}

function PlanEditor({ plan, onDone }: { plan: Plan; onDone: () => void }) {
  const update = useUpdatePlan();
  const [draft, setDraft] = useState(() => draftOf(plan));
  const [active, setActive] = useState(plan.active);
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseDraft(draft);
    if ('error' in parsed) return setInvalid(parsed.error);
    setInvalid(null);
    update.mutate({ name: plan.name, changes: { ...parsed.limits, active } }, { onSuccess: onDone });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Edit plan ${plan.name}`} noValidate>
      <LimitInputs draft={draft} onChange={setDraft} idPrefix={`plan-${plan.id}`} />
      <label className="check">
        <input type="checkbox" checked={active} onChange={(event) => setActive(event.target.checked)} />
        Active (in the plan catalog, and can be assigned)
      </label>
      <div className="button-row">
        <button type="submit" className="button-primary button-small" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save plan'}
        </button>
        <button type="button" className="button-secondary button-small" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ActionError error={invalid ? new Error(invalid) : update.error} />
    </form>
  );
}

export function PlansTable({ plans }: { plans: Plan[] }) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Plan</th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Cost cap
            </th>
            <th scope="col" className="num">
              Per request
            </th>
            <th scope="col" className="num">
              Per minute
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {plans.map((plan) => (
            <Fragment key={plan.id}>
              <tr>
                <td>
                  {plan.name} {!plan.active && <Badge tone="neutral">inactive</Badge>}
                  {plan.description && <div className="small muted">{plan.description}</div>}
                </td>
                <td className="num">{formatUsd(plan.monthlyPrice)}/mo</td>
                <td className="num">{formatLimit(plan.monthlyRequestLimit, formatRequests)}</td>
                <td className="num">{formatLimit(plan.monthlyTokenLimit, formatTokens)}</td>
                <td className="num">{formatLimit(plan.monthlyCostCapUsd, formatUsd)}</td>
                <td className="num">{formatLimit(plan.maxTokensPerRequest, formatTokens)}</td>
                <td className="num">
                  {formatLimit(plan.rateLimitPerMinute, (value) => `${formatCount(value)}/min`)}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="button-secondary button-small"
                    aria-expanded={editing === plan.id}
                    onClick={() => setEditing(editing === plan.id ? null : plan.id)}
                  >
                    Edit
                  </button>
                </td>
              </tr>
              {editing === plan.id && (
                <tr className="details-row">
                  <td colSpan={8}>
                    <PlanEditor plan={plan} onDone={() => setEditing(null)} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CreatePlanForm() {
  const create = useCreatePlan();
  const [name, setName] = useState('');
  const [draft, setDraft] = useState(() => draftOf());
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseDraft(draft);
    if (!name.trim()) return setInvalid('The plan needs a name.');
    if ('error' in parsed) return setInvalid(parsed.error);
    setInvalid(null);
    create.mutate(
      { name: name.trim(), ...parsed.limits },
      {
        onSuccess: () => {
          setName('');
          setDraft(draftOf());
        },
      },
    );
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create a plan" noValidate>
      <h3>Create a plan</h3>
      <div className="form-row">
        <label>
          Plan name
          <input value={name} onChange={(event) => setName(event.target.value)} />
        </label>
      </div>
      <LimitInputs draft={draft} onChange={setDraft} idPrefix="new-plan" />
      <button type="submit" className="button-primary" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create plan'}
      </button>
      <ActionError error={invalid ? new Error(invalid) : create.error} />
    </form>
  );
}
