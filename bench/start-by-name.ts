export async function runStartByName(_args: string[]): Promise<void> {}
