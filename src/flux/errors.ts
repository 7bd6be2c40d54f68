/** A Flux-level refusal or failure whose message is meant for the operator as it is. */
export class FluxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FluxError';
  }
}
