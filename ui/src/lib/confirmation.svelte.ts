// An action on one thing that waits for the user's yes in a dialog (a backup to restore, an
// import to revert, a contact to delete): what the dialog asks about, and the action running
// once, with the dialog's buttons waiting, when the user confirms.

export type Confirmation<T> = {
  /** What the dialog asks about; null while it is closed. */
  readonly subject: T | null;
  readonly busy: boolean;
  ask: (subject: T) => void;
  cancel: () => void;
  /** Runs the action on the subject; the dialog closes unless the action answers false. */
  confirm: () => Promise<void>;
};

export function createConfirmation<T>(act: (subject: T) => Promise<boolean | void>): Confirmation<T> {
  let subject = $state<T | null>(null);
  let busy = $state(false);
  return {
    get subject() {
      return subject;
    },
    get busy() {
      return busy;
    },
    ask: (next) => {
      subject = next;
    },
    cancel: () => {
      subject = null;
    },
    confirm: async () => {
      const chosen = subject;
      if (chosen === null || busy) return;
      busy = true;
      const done = await act(chosen);
      busy = false;
      if (done !== false) subject = null;
    },
  };
}
