/**
 * Every action asks first and shows what happened: the dialog stays open
 * with the API's answer (or its error) until the user closes it.
 */
import { useState } from 'react';

export interface ActionRequest {
  title: string;
  description: string;
  confirmLabel: string;
  /** Ask for a free-text reason and pass it on. */
  withReason?: boolean;
  /** Danger styling for destructive actions. */
  danger?: boolean;
  run: (reason: string | undefined) => Promise<string>;
}

export function ActionDialog({ request, onClose }: { request: ActionRequest; onClose: (done: boolean) => void }): React.JSX.Element {
  const [reason, setReason] = useState('');
  const [state, setState] = useState<{ kind: 'ask' } | { kind: 'busy' } | { kind: 'done'; message: string } | { kind: 'failed'; message: string }>({ kind: 'ask' });

  const confirm = (): void => {
    setState({ kind: 'busy' });
    request.run(request.withReason && reason.trim() ? reason.trim() : undefined).then(
      (message) => setState({ kind: 'done', message }),
      (err: unknown) => setState({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  };

  return (
    <div className="overlay">
      <div className="dialog" role="dialog" aria-modal="true" aria-label={request.title}>
        <h2>{request.title}</h2>
        <p>{request.description}</p>
        {request.withReason && state.kind !== 'done' && (
          <label>
            Reason
            <textarea name="reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} rows={3} />
          </label>
        )}
        {state.kind === 'done' && (
          <p className="result ok" role="status">
            {state.message}
          </p>
        )}
        {state.kind === 'failed' && (
          <p className="result error" role="alert">
            {state.message}
          </p>
        )}
        <div className="buttons">
          {state.kind === 'done' ? (
            <button type="button" onClick={() => onClose(true)}>
              Close
            </button>
          ) : (
            <>
              <button type="button" onClick={() => onClose(false)} disabled={state.kind === 'busy'}>
                Cancel
              </button>
              <button type="button" className={request.danger ? 'danger' : 'primary'} onClick={confirm} disabled={state.kind === 'busy'}>
                {request.confirmLabel}
              </button>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
