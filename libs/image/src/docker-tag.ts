const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)?';
const TAGGED = new RegExp(`^${HOST}${COMPONENT}(?:/${COMPONENT})*:([\\w][\\w.-]{0,127})$`);

/** "name:tag" split at the tag's colon, refusing what the Docker engine would refuse, by name. */
export function parseDockerTag(tag: string): { repo: string; tag: string } {
  if (!TAGGED.test(tag)) {
    throw new Error(`image tag "${tag}" is not a Docker name with a tag: use "name:tag" (lowercase name, e.g. "greeter:latest")`);
  }
  const at = tag.lastIndexOf(':');
  return { repo: tag.slice(0, at), tag: tag.slice(at + 1) };
}
