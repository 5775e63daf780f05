export async function runCliBench(_args: string[]): Promise<void> {}
