import { type FormEvent, useId, useState } from "react";

export interface ReadKeyFormProps {
  forbidden: boolean;
  /** A key is already being sent (entered or built in): then it was refused. */
  hasKey: boolean;
  /** Requests are in flight (e.g. with a key just entered): the verdict is not in yet. */
  checking: boolean;
  onSave(key: string): void;
  onForget(): void;
}

/**
 * One sentence for the person at the dashboard, in place of the api's problem detail (which is written
 * for api clients: "send Authorization: Bearer <key>" and the variable name repeated what we said already).
 */
export function readKeyMessage(forbidden: boolean, hasKey: boolean, checking: boolean): string {
  if (forbidden) return "This key is known to the bridge but may not read its data; enter a read key instead.";
  if (hasKey && checking) return "The bridge shows its data only with a read key; the one you entered is being checked.";
  if (hasKey) return "The bridge does not know this key; check it, or ask the bridge's operator for a valid read key.";
  return "The bridge shows its data only with a read key; enter the one its operator gave you.";
}

/** Shown on 401/403: the api needs a read key. The key stays in this tab (sessionStorage). */
export function ReadKeyForm({ forbidden, hasKey, checking, onSave, onForget }: ReadKeyFormProps) {
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
      <p>{readKeyMessage(forbidden, hasKey, checking)}</p>
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
