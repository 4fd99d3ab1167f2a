/**
 * How long a hub may take to start, as a process or in-process with its store: on a busy
 * machine (the suite runs files side by side on two cores, beside other work) loading the CLI
 * or migrating a store can take many seconds. A test or hook that starts hubs gives itself
 * this much per start in its timeout.
 */
export const HUB_START_MS = 60_000;
