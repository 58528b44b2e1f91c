// licensee ships no types; the one call scripts/check-licences.ts makes.
declare module 'licensee' {
  function licensee(configuration: object, path: string, callback: (error: Error | null, results: any[]) => void): void;
  export default licensee;
}
