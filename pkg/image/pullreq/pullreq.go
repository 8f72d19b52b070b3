// Package pullreq is how minipod asks the minipod-pull program for an
// image: the request it reads on its standard input, the result it writes
// on its standard output, and Run, which starts it. Registry access
// (go-containerregistry, HTTP, TLS, decompression) lives in that program
// alone (pkg/image/pull), so that neither the CLI nor a pod's monitor
// pays for its package initialisation and memory on every start.
package pullreq

// Program is the name of the puller installed beside minipod.
const Program = "minipod-pull"

// Ops a Request may ask for.
const (
	OpPull = "pull" // fetch Image from its registry
	OpLoad = "load" // read the images of the archive File
)

// Request is one pull or load.
type Request struct {
	Op string `json:"op"`
	// Store is the image store's root directory.
	Store string `json:"store"`
	// Image is the reference to pull (OpPull).
	Image string `json:"image,omitempty"`
	// File is the archive to load (OpLoad); Tag names an image the
	// archive does not name.
	File string `json:"file,omitempty"`
	Tag  string `json:"tag,omitempty"`
	// Insecure lists registries that may be reached over plain HTTP, in
	// addition to the node's insecure-registries setting.
	Insecure []string `json:"insecure,omitempty"`
	// Progress asks for progress lines on standard error; Terminal makes
	// them one updating line per layer.
	Progress bool `json:"progress,omitempty"`
	Terminal bool `json:"terminal,omitempty"`
	// Auths are credentials from a pod's imagePullSecrets, tried before
	// the node's own (root's docker config).
	Auths []Auth `json:"auths,omitempty"`
}

// Auth is one registry's credentials, in docker config's terms.
type Auth struct {
	// Host is host[:port], or *.domain for any host one label under it.
	Host          string `json:"host"`
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// Result is what the puller did: the image pulled, the images loaded, or
// why it failed (Error; a load may fail after loading some).
type Result struct {
	Ref    string   `json:"ref,omitempty"`
	Digest string   `json:"digest,omitempty"`
	Refs   []string `json:"refs,omitempty"`
	Error  string   `json:"error,omitempty"`
}

// MaxRequest bounds the request the puller reads: a pod's pull Secrets
// may be up to 1 MiB each.
const MaxRequest = 64 << 20
