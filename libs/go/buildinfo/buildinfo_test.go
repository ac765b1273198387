package buildinfo

import "testing"

func TestStringUnstamped(t *testing.T) {
	if got, want := String(), "dev (commit unknown)"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestStringStamped(t *testing.T) {
	defer func(v, c, ct string) { Version, Commit, CommitTime = v, c, ct }(Version, Commit, CommitTime)
	Version, Commit, CommitTime = "0123456789ab", "0123456789abcdef", "2025-01-02T03:04:05Z"
	if got, want := String(), "0123456789ab (commit 0123456789abcdef, 2025-01-02T03:04:05Z)"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}
