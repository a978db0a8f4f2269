import { useState, type FormEvent } from 'react';
import { useCompleteOnboarding, useSaveOnboardingStep, type Onboarding } from '../../api/monitoring.js';
import { formatPercent } from '../../format.js';
import { SelectField } from '../SelectField.js';
import { ActionError } from '../states.js';

const stepTitles: Record<string, string> = {
  provider_keys: 'Preferred provider',
  website: 'Your website',
  competitors: 'Competitors',
  content_preferences: 'Content preferences',
  platforms: 'Platforms',
  confirmation: 'Confirm',
};

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

/** The form of the next step; each asks only what its step's body needs (see the gateway's onboarding schemas). */
function StepForm({ step }: { step: number }) {
  const save = useSaveOnboardingStep();
  const complete = useCompleteOnboarding();
  const [text, setText] = useState('');
  const [platforms, setPlatforms] = useState<string[]>([]);
  const submit = (body: unknown) => (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ step, body }, { onSuccess: () => (step === 6 ? complete.mutate() : setText('')) });
  };
  const busy = save.isPending || complete.isPending;
  const error = <ActionError error={save.error ?? complete.error} />;

  switch (step) {
    case 1:
      return (
        <form className="form-row" onSubmit={submit({ preferredProvider: text || 'auto' })}>
          <SelectField
            label="Preferred provider"
            value={text}
            onChange={(event) => setText(event.target.value)}
          >
            {['auto', 'openai', 'anthropic', 'gemini', 'groq', 'cohere'].map((name) => (
              <option key={name} value={name === 'auto' ? '' : name}>
                {name === 'auto' ? 'Automatic (gateway chain)' : name}
              </option>
            ))}
          </SelectField>
          <button className="button-primary" disabled={busy}>
            Save and continue
          </button>
          {error}
        </form>
      );
    case 2:
      return (
        <form className="form-row" onSubmit={submit({ websiteUrl: text.trim() })}>
          <label>
            Website URL
            <input type="url" required value={text} onChange={(event) => setText(event.target.value)} />
          </label>
          <button className="button-primary" disabled={busy}>
            Save and continue
          </button>
          {error}
        </form>
      );
    case 3:
      return (
        <form className="form-row" onSubmit={submit({ competitors: lines(text) })}>
          <label>
            Competitors' websites (one per line, up to 10; may be empty)
            <textarea rows={3} value={text} onChange={(event) => setText(event.target.value)} />
          </label>
          <button className="button-primary" disabled={busy}>
            Save and continue
          </button>
          {error}
        </form>
      );
    case 4:
      return (
        <form className="form-row" onSubmit={submit(text.trim() ? { tone: text.trim() } : {})}>
          <label>
            Tone of your content (optional)
            <input value={text} onChange={(event) => setText(event.target.value)} placeholder="friendly" />
          </label>
          <button className="button-primary" disabled={busy}>
            Save and continue
          </button>
          {error}
        </form>
      );
    case 5:
      return (
        <form className="form-row" onSubmit={submit({ platforms })}>
          <fieldset>
            <legend>Platforms you will connect</legend>
            {['gsc', 'bing', 'wordpress', 'wix'].map((platform) => (
              <label key={platform} className="check">
                <input
                  type="checkbox"
                  checked={platforms.includes(platform)}
                  onChange={(event) =>
                    setPlatforms((current) =>
                      event.target.checked
                        ? [...current, platform]
                        : current.filter((item) => item !== platform),
                    )
                  }
                />
                {platform}
              </label>
            ))}
          </fieldset>
          <button className="button-primary" disabled={busy}>
            Save and continue
          </button>
          {error}
        </form>
      );
    default:
      return (
        <form className="form-row" onSubmit={submit({ confirmed: true })}>
          <button className="button-primary" disabled={busy}>
            {busy ? 'Starting…' : 'Confirm and start monitoring'}
          </button>
          {error}
        </form>
      );
  }
}

export function OnboardingProgress({ onboarding }: { onboarding: Onboarding }) {
  const done = onboarding.status === 'completed';
  return (
    <div className="onboarding">
      <div className="quota-label">
        <span className="quota-name">{done ? 'Onboarding complete' : 'Progress'}</span>
        <span className="quota-numbers">{formatPercent(onboarding.progressPercent)}</span>
      </div>
      <div
        className="quota-track quota-ok"
        role="progressbar"
        aria-label="Onboarding progress"
        aria-valuenow={onboarding.progressPercent}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className="quota-fill" style={{ width: `${onboarding.progressPercent}%` }} />
      </div>
      {!done && (
        <>
          <ol className="steps">
            {onboarding.steps.map((step) => (
              <li
                key={step.step}
                className={
                  step.completed ? 'step-done' : step.step === onboarding.currentStep ? 'step-current' : ''
                }
              >
                <span className="step-mark" aria-hidden="true">
                  {step.completed ? '✓' : step.step}
                </span>
                {stepTitles[step.name] ?? step.name}
                <span className="visually-hidden">{step.completed ? ' (done)' : ' (to do)'}</span>
              </li>
            ))}
          </ol>
          {/* Every step saved but not completed yet: the confirmation completes it. */}
          <StepForm key={onboarding.currentStep ?? 6} step={onboarding.currentStep ?? 6} />
        </>
      )}
    </div>
  );
}
