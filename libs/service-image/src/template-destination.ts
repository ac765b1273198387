import { posix } from 'node:path';
import { configDir } from './service-spec';

/**
 * Where a template may be rendered: the service's own folder under /run
 * (a tmpfs with a read-only root) or /tmp. Anywhere else consul-template,
 * which runs as root, would write over the image's own files
 * (`/run/../etc/passwd`) or the s6 scan dir (`/run/s6/app/run`).
 */
export function allowedDestinationFolders(service: string): string[] {
  return [`${configDir(service)}/`, '/tmp/'];
}

/**
 * The destination, normalised (posix: `.`, `..` and doubled slashes
 * resolved), once it is checked to be a file under an allowed folder;
 * refused otherwise, naming the value as given. Control characters are
 * refused too: a newline in a path is a mistake, never a file name.
 */
export function checkDestination(service: string, source: string, destination: string): string {
  const allowed = allowedDestinationFolders(service);
  const where = `render under ${allowed.join(' or ')}, e.g. ${allowed[0]}${posix.basename(source).replace(/\.c?tmpl$/, '')}`;
  if (typeof destination !== 'string' || !destination.startsWith('/')) {
    throw new Error(`template ${source} of ${service} renders to ${JSON.stringify(destination)}, which is not an absolute path: ${where}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(destination)) {
    throw new Error(`template ${source} of ${service} renders to ${JSON.stringify(destination)}, which holds a control character: ${where}`);
  }
  const normal = posix.normalize(destination);
  if (!allowed.some((folder) => normal.startsWith(folder) && normal.length > folder.length) || normal.endsWith('/')) {
    throw new Error(`template ${source} of ${service} renders to ${JSON.stringify(destination)} (${normal}), outside the folders it may write: ${where}`);
  }
  return normal;
}
