// Writes docker/basebox from libs/basebox: `nx run basebox:generate`.
import { join } from 'node:path';
import { writeReference } from '../src/reference';

const dir = join(process.cwd(), 'docker', 'basebox');
for (const path of await writeReference(dir)) console.log(`wrote docker/basebox/${path}`);
