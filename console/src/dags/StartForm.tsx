/**
 * Start a run of a DAG from a form generated from its input schema (or raw
 * JSON when the schema is beyond the form), checked before it submits.
 */
import { useMemo, useState } from 'react';
import { api, ApiCallError } from '../api';
import { navigate } from '../router';
import type { JsonSchema } from '../types';
import { fieldValue, formFields, initialText } from './schemaForm';

export function StartForm({ dag, schema }: { dag: string; schema?: JsonSchema }): React.JSX.Element {
  const fields = useMemo(() => formFields(schema), [schema]);
  const [raw, setRaw] = useState(fields === undefined);
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries((fields ?? []).map((f) => [f.name, initialText(f)])));
  const [json, setJson] = useState('{}');
  const [runId, setRunId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<string | undefined>();

  const collect = (): { input?: unknown; errors: Record<string, string> } => {
    if (raw || !fields) {
      try {
        return { input: JSON.parse(json) as unknown, errors: {} };
      } catch (e) {
        return { errors: { input: `not valid JSON: ${(e as Error).message}` } };
      }
    }
    const input: Record<string, unknown> = {};
    const errs: Record<string, string> = {};
    for (const f of fields) {
      const r = fieldValue(f, texts[f.name] ?? '');
      if (r.error) errs[f.name] = r.error;
      else if (r.value !== undefined) input[f.name] = r.value;
    }
    return { input, errors: errs };
  };

  const submit = (e: React.FormEvent): void => {
    e.preventDefault();
    const c = collect();
    setErrors(c.errors);
    setResult(undefined);
    if (Object.keys(c.errors).length) return;
    api<{ id: string; existing: boolean }>('POST', '/v1/runs', { dag, input: c.input, ...(runId ? { id: runId } : {}) }).then(
      (r) => navigate({ page: 'run', id: r.id }),
      (err: unknown) => {
        if (err instanceof ApiCallError && err.issues.length) setErrors(Object.fromEntries(err.issues.map((i) => [i.path.replace(/^input\.?/, '') || 'input', i.message])));
        setResult(err instanceof Error ? err.message : String(err));
      },
    );
  };

  return (
    <form className="start-form" onSubmit={submit} aria-label={`start ${dag}`} noValidate>
      <h3>Start a run</h3>
      {fields && (
        <label className="inline">
          <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} /> edit the input as JSON
        </label>
      )}
      {raw || !fields ? (
        <label>
          Input (JSON)
          <textarea name="input" rows={6} value={json} onChange={(e) => setJson(e.target.value)} />
          {errors.input && <span className="field-error">{errors.input}</span>}
        </label>
      ) : (
        fields.map((f) => (
          <label key={f.name}>
            {f.name}
            {f.required ? ' *' : ''} <span className="muted">{f.kind === 'array' ? `list of ${f.itemKind}, comma-separated` : f.kind}</span>
            {f.kind === 'boolean' ? (
              <select name={f.name} value={texts[f.name]} onChange={(e) => setTexts({ ...texts, [f.name]: e.target.value })}><option>false</option><option>true</option></select>
            ) : f.kind === 'enum' ? (
              <select name={f.name} value={texts[f.name]} onChange={(e) => setTexts({ ...texts, [f.name]: e.target.value })}>
                <option value="">—</option>
                {f.schema.enum!.map((v) => <option key={String(v)}>{String(v)}</option>)}
              </select>
            ) : (
              <input name={f.name} value={texts[f.name]} onChange={(e) => setTexts({ ...texts, [f.name]: e.target.value })} placeholder={f.schema.description} />
            )}
            {errors[f.name] && <span className="field-error">{errors[f.name]}</span>}
          </label>
        ))
      )}
      <label>
        Run id <span className="muted">optional; the same id returns the same run</span>
        <input name="runId" value={runId} onChange={(e) => setRunId(e.target.value)} />
      </label>
      <button type="submit" className="primary">Start</button>
      {result && <p className="error" role="alert">{result}</p>}
    </form>
  );
}
