import { goVet } from '../../../../../libs/gobuild/src/check';
import { goCheckExecutor } from '../go-check';

/** go-vet: `go vet ./<root>/...` with Go's own output; fails when go does. */
export default goCheckExecutor('go-vet', goVet);
