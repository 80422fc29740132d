# Sourced helpers that lay out an ansible-runner private data directory the way AWX writes one
# for a job (scripts/test-awx, tests/e2e/run). Expects scripts/env.sh sourced.
#   awx_pdd DIR                          project/ (tests/ansible_runner/project), inventory/ with
#                                        localhost, env/
#   awx_envvars DIR NAME=VALUE...        env/envvars (the credential's injected variables), 0600
#   awx_vault_chap DIR SECRETS_JSON      the CHAP secrets ({IQN: secret}) vault-encrypted in
#                                        project/vars/chap_secrets.yml, and the vault prompt
#                                        answered from env/passwords as AWX's vault credential
#                                        does; prints the vault password (to search artifacts for)
#   awx_run DIR PLAYBOOK IDENT LOG       ansible-runner run; its exit status
awx_pdd() {
  mkdir -p "$1/project" "$1/inventory" "$1/env"
  cp -r "$top/tests/ansible_runner/project/." "$1/project/"
  # git keeps no empty directory: the project's vars/ is made here (a clean clone has none).
  mkdir -p "$1/project/vars"
  printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$(command -v python)" >"$1/inventory/hosts"
}

awx_envvars() {
  local dir=$1; shift
  python - "$@" >"$dir/env/envvars" <<'PY'
import json, sys
print(json.dumps(dict(arg.split('=', 1) for arg in sys.argv[1:]), indent=1))
PY
  chmod 600 "$dir/env/envvars"
}

awx_vault_chap() {
  local dir=$1 secrets=$2 vault_password pass_file
  vault_password=$(python -c 'import secrets; print(secrets.token_urlsafe(16))')
  python - "$secrets" >"$dir/project/vars/chap_secrets.yml" <<'PY'
import json, sys, yaml
print(yaml.safe_dump({'datacenter_paths_chap_secrets': json.loads(sys.argv[1])}, default_flow_style=False))
PY
  pass_file=$(mktemp)
  printf '%s\n' "$vault_password" >"$pass_file"
  ansible-vault encrypt --vault-password-file "$pass_file" "$dir/project/vars/chap_secrets.yml" >/dev/null 2>&1
  rm -f "$pass_file"
  # AWX's vault credential: --ask-vault-pass on the command line, the answer in env/passwords.
  printf -- '--ask-vault-pass' >"$dir/env/cmdline"
  python - "$vault_password" >"$dir/env/passwords" <<'PY'
import json, sys
print(json.dumps({r'^Vault password:\s*?$': sys.argv[1]}))
PY
  chmod 600 "$dir/env/passwords"
  echo "$vault_password"
}

awx_run() {
  ansible-runner run "$1" -p "$2" --ident "$3" >"$4" 2>&1
}
