import { type FormEvent, useId, useState } from "react";

export interface ReadKeyFormProps {
  forbidden: boolean;
  message: string;
  /** A key is already being sent (entered or built in): then it was refused. */
  hasKey: boolean;
  /** Requests are in flight (e.g. with a key just entered): the verdict is not in yet. */
  checking: boolean;
  onSave(key: string): void;
  onForget(): void;
}

/** Shown on 401/403: the api needs a read key. The key stays in this tab (sessionStorage). */
export function ReadKeyForm({ forbidden, message, hasKey, checking, onSave, onForget }: ReadKeyFormProps) {
  const [key, setKey] = useState("");
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim() !== "") onSave(key);
  };
  return (
    <section className="banner banner-key" role="alert" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        {forbidden
          ? "This read key may not read"
          : hasKey && checking
            ? "Checking the read key…"
            : hasKey
              ? "The read key was refused"
              : "This dashboard needs a read key"}
      </h2>
      <p>
        The api requires <code>Authorization: Bearer &lt;key&gt;</code> on read endpoints (BRIDGE_READ_KEYS). {message}
      </p>
      <form onSubmit={submit} className="key-form">
        <label htmlFor={`${id}-key`}>Read key</label>
        <input
          id={`${id}-key`}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
        <button type="submit" disabled={key.trim() === ""}>
          Use this key
        </button>
        {hasKey ? (
          <button type="button" onClick={onForget}>
            Forget the entered key
          </button>
        ) : null}
      </form>
      <p className="muted">Kept in this browser tab only (sessionStorage) and sent to this api alone.</p>
    </section>
  );
}
