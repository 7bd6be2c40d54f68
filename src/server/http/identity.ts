// Who a credential's caller is: the one place that turns the name and groups a token file or an OIDC token
// gives into the caller's user and groups. What it returns is what the tools see, what the audit log records,
// what sessions and rate limits count, and, under --impersonate, exactly what Impersonate-User and
// Impersonate-Group carry to Kubernetes. The character rules are those of src/kube/identity-names.ts.
import { isReserved, nameProblem, RESERVED_PREFIX, shown } from '../../kube/identity-names.js';
import type { Caller } from '../caller.js';

/** A name and groups as a credential states them, before any check. */
export interface Credential {
  via: Caller['via'];
  /** The token file's name, or the value of the OIDC identity claim. */
  user: string;
  /** Where the user comes from, for messages: "the token file's name", "the token's sub claim". */
  userSource: string;
  groups: readonly string[];
  /** Where the groups come from, for messages. */
  groupsSource: string;
  /** Put before the user and each group once they are checked (--oidc-username-prefix, --oidc-groups-prefix). */
  userPrefix?: string;
  groupsPrefix?: string;
}

export type Decision =
  | { ok: true; caller: Caller; /** Groups left out because Kubernetes keeps them. */ dropped: string[] }
  | { ok: false; reason: string };

/**
 * The caller of a credential, or why there is none. Refused: a user or group that is empty, has white space or
 * an invisible character at either end, holds a control character, or is too long (it would not reach
 * Kubernetes as it is); a user that Kubernetes keeps for itself (system:...); an OIDC user that is the name of
 * a token-file caller (two credentials would be one caller). Groups that Kubernetes keeps are left out.
 */
export function decideCaller(credential: Credential, tokenFileNames?: ReadonlySet<string>): Decision {
  const { user, userSource, groupsSource } = credential;
  const userProblem = nameProblem(user);
  if (userProblem) return refused(`${userSource} ${shown(user)} ${userProblem}`);
  for (const group of credential.groups) {
    const problem = nameProblem(group);
    if (problem) return refused(`${groupsSource} holds ${shown(group)}, which ${problem}`);
  }
  const name = (credential.userPrefix ?? '') + user;
  const nameTooLong = nameProblem(name);
  if (nameTooLong) return refused(`the user name ${shown(name)} ${nameTooLong}`);
  if (isReserved(name))
    return refused(
      `${userSource} makes the user ${shown(name)}: names that start with ${RESERVED_PREFIX} belong to Kubernetes, and this server will not act as one`,
    );
  if (credential.via === 'oidc' && tokenFileNames?.has(name))
    return refused(
      `${userSource} makes the user ${shown(name)}, the name of a caller of the token file: an OIDC caller cannot be that caller (set --oidc-username-prefix)`,
    );
  const groups: string[] = [];
  const dropped: string[] = [];
  for (const group of new Set(credential.groups.map((g) => (credential.groupsPrefix ?? '') + g))) {
    const problem = nameProblem(group);
    if (problem) return refused(`the group ${shown(group)} ${problem}`);
    (isReserved(group) ? dropped : groups).push(group);
  }
  return { ok: true, caller: { name, groups, via: credential.via }, dropped };
}

function refused(reason: string): Decision {
  return { ok: false, reason };
}
