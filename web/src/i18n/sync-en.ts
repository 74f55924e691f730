// Strings of the date/time jump, synchronised playback, custom live layouts and the ledger's
// verification state in English (kept apart from en.ts so the screens merge without touching
// its other keys; en.ts includes them as `sync`).

export const syncEn = {
  jump: {
    label: 'Go to time',
    zone: (zone: string) => `Local time (${zone})`,
    go: 'Go',
    invalid: 'Choose a date and time.',
  },
  sync: {
    heading: 'Playback in sync',
    intro: 'Choose 2 to 4 cameras: one position and one speed drive every player.',
    cameras: 'Cameras',
    tooMany: 'At most 4 cameras play in sync.',
    tooFew: 'Choose at least 2 cameras.',
    position: 'Position',
    play: 'Play all',
    pause: 'Pause all',
    resume: 'Resume all',
    speed: 'Speed',
    timelineOf: (name: string) => `Shared timeline (spans of ${name})`,
    noRecording: 'No recording',
    noRecordingReason: (reason: string) => `No recording here: ${reason}`,
    videoLabel: (name: string) => `Synchronised playback of ${name}`,
    at: (time: string) => `At ${time}`,
  },
  layouts: {
    custom: 'Custom layouts',
    newLayout: 'New layout',
    name: 'Layout name',
    pick: 'Pick cameras for this layout (in the order shown)',
    moveUp: (name: string) => `Move ${name} up`,
    moveDown: (name: string) => `Move ${name} down`,
    save: 'Save layout',
    cancel: 'Cancel',
    remove: (name: string) => `Delete layout ${name}`,
    needName: 'Name the layout and pick at least one camera.',
    choose: (name: string) => `Layout ${name}`,
    missing: 'None of this layout\'s cameras is available.',
  },
  ledger: {
    heading: 'Ledger state',
    latest: 'Latest signed checkpoint',
    size: 'Tree size',
    root: 'Root hash',
    signedAt: 'Signed at',
    noCheckpoint: 'No checkpoint has been signed yet.',
    verification: 'Last verification (custos audit verify)',
    never: 'No verification has been recorded in the ledger.',
    when: 'When',
    by: 'By',
    outcome: 'Outcome',
    outcomes: { success: 'Passed', failure: 'FAILED' } as Record<string, string>,
    firstBad: (n: number) => ` (first bad index ${n})`,
    cannotLoad: (why: string) => `Cannot load the ledger state: ${why}`,
  },
};

export type SyncMessages = typeof syncEn;
