package service

import (
	"encoding/json"
	"net/http"

	"github.com/microbox/workspace/libs/go/buildinfo"
)

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The status line is sent: an encoding error can only be logged by the
	// caller's server, not answered.
	_ = json.NewEncoder(w).Encode(v)
}

// Version answers GET /version with what go-build stamped into the binary.
func Version(w http.ResponseWriter, _ *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"version": buildinfo.Version, "commit": buildinfo.Commit, "commitTime": buildinfo.CommitTime})
}
