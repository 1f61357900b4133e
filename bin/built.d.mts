/** Whether dist/ is at least as new as every file under src/. */
export function builtIsFresh(): boolean;
