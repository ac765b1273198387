// Package buildinfo holds what go-build stamps into every service binary with
// -ldflags -X: the version, the git commit and the commit's time. They come
// from git (the last commit that touched the service or the Go code it imports),
// never from the clock, so building the same commit twice gives the same bytes.
//
// A plain `go build` or `go run` leaves them at their defaults.
package buildinfo

import "fmt"

// Set by go-build: -X <module>/libs/go/buildinfo.Version=... and so on.
var (
	// Version is the stamped version: the commit's first 12 hex digits
	// (with "+dirty" when built from uncommitted changes), or the executor's
	// version option.
	Version = "dev"
	// Commit is the full hash of the commit the binary was built from.
	Commit = "unknown"
	// CommitTime is that commit's committer date in RFC 3339.
	CommitTime = ""
)

// String is one line for logs and --version: "dev (commit unknown)" when not stamped.
func String() string {
	if CommitTime == "" {
		return fmt.Sprintf("%s (commit %s)", Version, Commit)
	}
	return fmt.Sprintf("%s (commit %s, %s)", Version, Commit, CommitTime)
}
