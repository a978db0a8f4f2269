import { useId, type ReactNode, type SelectHTMLAttributes } from 'react';

/**
 * A labelled select. The label sits beside the select rather than around it: a label wrapping a select would read
 * every option as part of its text ("Provider openai anthropic …").
 */
export function SelectField({
  label,
  className,
  children,
  ...select
}: { label: ReactNode; className?: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {children}
      </select>
    </div>
  );
}
