import { goTest } from '../../../../../libs/gobuild/src/check';
import { goCheckExecutor } from '../go-check';

/** go-test: `go test ./<root>/...` with Go's own output; fails when go does. */
export default goCheckExecutor('go-test', goTest);
