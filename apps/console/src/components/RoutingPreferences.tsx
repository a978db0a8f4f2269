import { useEffect, useState, type DragEvent } from 'react';
import {
  useConfiguredServices,
  useModels,
  usePreferences,
  useSavePreferences,
  type ConfiguredService,
  type Preferences,
} from '../api/keys.js';
import { Badge } from './Card.js';
import { SelectField } from './SelectField.js';
import { ActionError, QueryView } from './states.js';

/** The gateway keeps at most this many preferred providers (PreferencesSchema). */
const maxPreferred = 10;

/** The saved order first, then every other provider the gateway has, in its own order. */
function initialOrder(preferences: Preferences, services: ConfiguredService[]): string[] {
  const names = services.map((service) => service.serviceName);
  const saved = preferences.fallbackOrder.filter((name) => names.includes(name));
  return [...saved, ...names.filter((name) => !saved.includes(name))];
}

function move<T>(items: T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length) return items;
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

const statusTone = { available: 'good', degraded: 'warn', unavailable: 'bad' } as const;

function PreferencesForm({
  preferences,
  services,
}: {
  preferences: Preferences;
  services: ConfiguredService[];
}) {
  const models = useModels();
  const save = useSavePreferences();
  const [order, setOrder] = useState(() => initialOrder(preferences, services));
  const [defaultModel, setDefaultModel] = useState(preferences.defaultModel ?? '');
  const [dragged, setDragged] = useState<number | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => setSaved(false), [order, defaultModel]);

  const drop = (index: number) => (event: DragEvent) => {
    event.preventDefault();
    if (dragged !== null) setOrder((current) => move(current, dragged, index));
    setDragged(null);
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(
          { fallbackOrder: order.slice(0, maxPreferred), defaultModel: defaultModel || null },
          { onSuccess: () => setSaved(true) },
        );
      }}
    >
      <p className="muted small">
        Drag a provider, or use the arrows, to change the order they are tried in.
      </p>
      <ol className="order-list" aria-label="Fallback order">
        {order.map((name, index) => {
          const service = services.find((candidate) => candidate.serviceName === name);
          return (
            <li
              key={name}
              draggable
              onDragStart={() => setDragged(index)}
              onDragOver={(event) => event.preventDefault()}
              onDrop={drop(index)}
              className={dragged === index ? 'dragging' : undefined}
            >
              <span className="order-handle" aria-hidden="true">
                ⋮⋮
              </span>
              <span className="order-position">{index + 1}.</span>
              <span className="order-name">{service?.displayName ?? name}</span>
              <span className="muted small mono">{name}</span>
              {service && <Badge tone={statusTone[service.status]}>{service.status}</Badge>}
              <span className="order-buttons">
                <button
                  type="button"
                  className="button-icon"
                  aria-label={`Move ${name} up`}
                  disabled={index === 0}
                  onClick={() => setOrder((current) => move(current, index, index - 1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="button-icon"
                  aria-label={`Move ${name} down`}
                  disabled={index === order.length - 1}
                  onClick={() => setOrder((current) => move(current, index, index + 1))}
                >
                  ↓
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <div className="form-row">
        <SelectField
          label={
            <>
              Default model (used when a request asks for <code>auto</code>)
            </>
          }
          value={defaultModel}
          onChange={(event) => setDefaultModel(event.target.value)}
        >
          <option value="">Gateway default</option>
          {(models.data ?? []).map((model) => (
            <option key={model.id} value={model.id}>
              {model.id}
            </option>
          ))}
          {defaultModel && !models.data?.some((model) => model.id === defaultModel) && (
            <option value={defaultModel}>{defaultModel}</option>
          )}
        </SelectField>
        <button type="submit" className="button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save preferences'}
        </button>
        {saved && (
          <span className="saved" role="status">
            Saved
          </span>
        )}
      </div>
      <ActionError error={save.error} />
    </form>
  );
}

export function RoutingPreferences() {
  const preferences = usePreferences();
  const services = useConfiguredServices();
  return (
    <QueryView query={preferences} what="preferences">
      {(saved) => (
        <QueryView
          query={services}
          what="providers"
          isEmpty={(data) => data.length === 0}
          empty="The gateway has no provider configured."
        >
          {(data) => <PreferencesForm preferences={saved} services={data} />}
        </QueryView>
      )}
    </QueryView>
  );
}
