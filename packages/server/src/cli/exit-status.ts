/** Ends a verb that has already printed its answer with a non-zero exit code (e.g. part of the work failed). */
export class ExitStatus extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
  }
}
