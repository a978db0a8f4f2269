import { useState, type FormEvent } from 'react';
import { useWatchCompetitor } from '../../api/monitoring.js';
import { ActionError } from '../states.js';

/** Adds a competitor's website: the gateway creates its analysis task and queues the first run. */
export function WatchCompetitorForm() {
  const watch = useWatchCompetitor();
  const [url, setUrl] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The worker fetches only web addresses; say so before the gateway's schema message would.
    if (!/^https?:\/\//i.test(url.trim()))
      return setInvalid('Enter the website address with http:// or https:// in front.');
    setInvalid(null);
    watch.mutate(url.trim(), { onSuccess: () => setUrl('') });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Watch a competitor" noValidate>
      <div className="form-row">
        <label>
          Competitor website
          <input
            type="url"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            placeholder="https://competitor.example"
          />
        </label>
        <button type="submit" className="button-secondary" disabled={watch.isPending || !url.trim()}>
          {watch.isPending ? 'Adding…' : 'Watch competitor'}
        </button>
      </div>
      <ActionError error={invalid ? new Error(invalid) : watch.error} />
    </form>
  );
}
