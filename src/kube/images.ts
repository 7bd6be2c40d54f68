// Container image references: `registry[:port]/path/name[:tag][@digest]`.

export interface ImageRef {
  /** The last path segment: `source-controller` of `ghcr.io/fluxcd/source-controller:v1.7.0`. */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  // A colon in the last segment separates the tag; one in a registry host (localhost:5000/x) is earlier.
  const colon = lastSegment.indexOf(':');
  const name = colon >= 0 ? lastSegment.slice(0, colon) : lastSegment;
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** What to call the version of an image: its tag, else its short digest, else `latest`. */
export function imageVersion(ref: ImageRef): string {
  if (ref.tag) return ref.tag;
  if (ref.digest) return ref.digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, '$1');
  return 'latest';
}
