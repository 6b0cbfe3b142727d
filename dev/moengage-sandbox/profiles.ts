import { standardKey } from './userAttributes';

/**
 * What MoEngage would hold per user after the accepted requests: one profile per workspace and
 * `customer_id`, standard fields apart from custom attributes, so a test (or a person at
 * `GET /_sandbox/profiles/{customer_id}`) sees whether Email (Standard) is filled or an email
 * landed in a custom attribute.
 *
 * - Track User and bulk `customer` elements set attributes (later values win). Events create the
 *   user if unknown (as MoEngage does) and record their `user_identifiers`.
 * - Merge moves the merged user's attributes onto the retained user (the merged user's values win,
 *   as MoEngage documents) and removes the merged profile; an unknown merged user is skipped.
 * - Delete User marks the profile; MoEngage hard-deletes after a 24-hour buffer during which the
 *   user can still be updated. After it the profile is gone and the same id makes a new user.
 */
export const DELETE_BUFFER_MS = 24 * 3600 * 1000;

export interface Profile {
  workspace: string;
  customer_id: string;
  /** MoEngage's own id of the user (what `identity_type: "moengage_id"` deletes by). */
  moengage_id: string;
  standard: Record<string, unknown>;
  custom: Record<string, unknown>;
  /** Seen in events' `user_identifiers`. */
  identifiers: Record<string, unknown>;
  events: number;
  /** Portfolio project codes the user's data came with. */
  projects: string[];
  created_at: number;
  updated_at: number;
  /** Set by Delete User: the profile disappears at `hard_delete_at`. */
  deletion?: { requested_at: number; hard_delete_at: number };
}

export interface Deletion {
  identityType: 'customer_id' | 'moengage_id';
  identityValue: string;
}

const key = (workspace: string, customerId: string) => `${workspace}\u0000${customerId}`;

export class ProfileBook {
  private readonly profiles = new Map<string, Profile>();

  /** Bounded like the recorder so a long `npm start` or a benchmark does not grow without end. */
  constructor(private readonly capacity: number) {}

  private live(workspace: string, customerId: string, now: number): Profile | undefined {
    const k = key(workspace, customerId);
    const profile = this.profiles.get(k);
    if (profile?.deletion && now >= profile.deletion.hard_delete_at) {
      this.profiles.delete(k);
      return undefined;
    }
    return profile;
  }

  private upsert(workspace: string, customerId: string, now: number, project: string | null): Profile {
    let profile = this.live(workspace, customerId, now);
    if (!profile) {
      profile = {
        workspace,
        customer_id: customerId,
        moengage_id: crypto.randomUUID().replace(/-/g, '').slice(0, 24),
        standard: {},
        custom: {},
        identifiers: {},
        events: 0,
        projects: [],
        created_at: now,
        updated_at: now,
      };
      this.profiles.set(key(workspace, customerId), profile);
      if (this.profiles.size > this.capacity) this.profiles.delete(this.profiles.keys().next().value as string);
    }
    profile.updated_at = now;
    if (project !== null && !profile.projects.includes(project)) profile.projects.push(project);
    return profile;
  }

  /** A Track User body (or a bulk `customer` element), already validated. */
  applyCustomer(workspace: string, body: Record<string, unknown>, now: number, project: string | null): void {
    const profile = this.upsert(workspace, body.customer_id as string, now, project);
    const attributes = (body.attributes ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(attributes)) {
      const standard = standardKey(name);
      if (standard) profile.standard[standard.field] = value;
      else profile.custom[name] = value;
    }
  }

  /** A Create Event body (or a bulk `event` element), already validated. */
  applyEvent(workspace: string, body: Record<string, unknown>, now: number, project: string | null): void {
    const profile = this.upsert(workspace, body.customer_id as string, now, project);
    profile.events += (body.actions as unknown[]).length;
    Object.assign(profile.identifiers, body.user_identifiers ?? {});
  }

  applyMerge(workspace: string, pairs: { merged_user: string; retained_user: string }[], now: number): void {
    for (const { merged_user, retained_user } of pairs) {
      const merged = this.live(workspace, merged_user, now);
      if (!merged) continue;
      const retained = this.upsert(workspace, retained_user, now, null);
      Object.assign(retained.standard, merged.standard);
      Object.assign(retained.custom, merged.custom);
      Object.assign(retained.identifiers, merged.identifiers);
      retained.events += merged.events;
      for (const p of merged.projects) if (!retained.projects.includes(p)) retained.projects.push(p);
      this.profiles.delete(key(workspace, merged_user));
    }
  }

  /** The profile a Delete User request names, or undefined when MoEngage would answer "User doesn't exists". */
  find(workspace: string, deletion: Deletion, now: number): Profile | undefined {
    if (deletion.identityType === 'customer_id') return this.live(workspace, deletion.identityValue, now);
    for (const profile of this.profiles.values()) {
      if (profile.workspace === workspace && profile.moengage_id === deletion.identityValue) return this.live(workspace, profile.customer_id, now);
    }
    return undefined;
  }

  markDeleted(profile: Profile, now: number): void {
    profile.deletion ??= { requested_at: now, hard_delete_at: now + DELETE_BUFFER_MS };
  }

  /** The profiles of `customerId` in every workspace (or one), copies. */
  get(customerId: string, now: number, workspace?: string): Profile[] {
    const workspaces = workspace !== undefined ? [workspace] : [...new Set([...this.profiles.values()].map((p) => p.workspace))];
    return workspaces.flatMap((ws) => {
      const profile = this.live(ws, customerId, now);
      return profile ? [structuredClone(profile)] : [];
    });
  }

  clear(): void {
    this.profiles.clear();
  }
}
