export function composeCommands(): string[][];
export function composeCommand(): string[] | undefined;
