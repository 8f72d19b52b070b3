// Package podspec turns manifest bytes into validated, defaulted Pods and
// ConfigMaps.
//
// The types are minipod's own, shaped like Kubernetes v1 (same json names), so
// that `get -o json` output and error paths read like kubectl's, without
// linking k8s.io/api into a binary that every container re-executes. The tests
// import k8s.io/api to prove the two schemas agree.
//
// Every Kubernetes field is classified by a `minipod` struct tag:
//
//	(no tag)        implemented
//	warn            accepted, warning "accepted but ignored on one node"
//	drop            accepted, warning "ignored on input", not decoded
//	reject          "<path>: not supported" when set to a non-zero value
//	reject,emptyok  as reject, but an empty {} or [] counts as unset
//	yet             "<path>: not supported yet" (planned)
//	quantity        a resource.Quantity: a string or a number, kept as a string
//
// Decoding is strict (unknown fields, duplicate keys and wrong types are
// errors naming the field path), defaults follow
// kubernetes/pkg/apis/core/v1/defaults.go, and validation is a list of small
// named checks.
//
// Input is bounded as the API server bounds it: Read takes at most 3 MiB,
// and Parse refuses a document that would be more than 3 MiB of JSON once
// its YAML aliases are expanded, measuring it without expanding it
// (measure.go), so a small file cannot make a large decode.
package podspec
