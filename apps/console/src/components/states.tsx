import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  return (
    <div className="state state-error" role="alert">
      <strong>Could not load this.</strong> <span>{message}</span>
      {retry && (
        <button type="button" className="button-link" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** What QueryView reads of a query (plain or paged). */
interface QueryState<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/**
 * Renders a query's loading and error states, or the empty state when `isEmpty` says there is nothing, else the
 * children with the data.
 */
export function QueryView<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: QueryState<T>;
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorMessage error={query.error} retry={() => void query.refetch()} />;
  // Neither pending nor failed: TanStack Query guarantees the data is there.
  const data = query.data as T;
  if (isEmpty?.(data)) return <Empty>{empty ?? `No ${what} yet.`}</Empty>;
  return <>{children(data)}</>;
}

/** A failed action's message next to its button. */
export function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="action-error" role="alert">
      {error instanceof Error ? error.message : 'The action failed.'}
    </p>
  );
}
