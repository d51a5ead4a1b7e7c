package com.wedsync.hub.form;

import java.util.Locale;

/**
 * The form field types (docs/protocol.md §5) with how the server edits and merges each one. The wire name is the lower-case
 * name stored in {@code form_fields.type}.
 */
public enum FieldType {
  TEXT(LockMode.HARD, MergeRule.LWW),
  EMAIL(LockMode.HARD, MergeRule.LWW),
  PHONE(LockMode.HARD, MergeRule.LWW),
  NUMBER(LockMode.HARD, MergeRule.LWW),
  SLIDER(LockMode.HARD, MergeRule.LWW),
  DATE(LockMode.HARD, MergeRule.LWW),
  TIME(LockMode.HARD, MergeRule.LWW),
  SELECT(LockMode.HARD, MergeRule.LWW),
  // One click sets the whole value and is sent at once, so there is nothing to protect with a lock.
  CHECKBOX(LockMode.NONE, MergeRule.LWW),
  RADIO(LockMode.NONE, MergeRule.LWW),
  // Concurrent edits are transformed, so the lock only shows who is editing; it never refuses a write.
  TEXTAREA(LockMode.SOFT, MergeRule.TEXT_OT),
  // Items are appended/removed by id and merge, so two people can edit the list at once.
  LIST(LockMode.NONE, MergeRule.LIST);

  /** HARD: focusing takes an exclusive lease; SOFT: the lease is advisory (presence only); NONE: no lease. */
  public enum LockMode { HARD, SOFT, NONE }

  /** How concurrent changes combine; {@link #kind()} is the revision/event kind ({@code field_revisions.kind}). */
  public enum MergeRule {
    LWW("set"),
    TEXT_OT("text"),
    LIST("list");

    private final String kind;

    MergeRule(String kind) {
      this.kind = kind;
    }

    public String kind() {
      return kind;
    }
  }

  private final LockMode lockMode;
  private final MergeRule mergeRule;

  FieldType(LockMode lockMode, MergeRule mergeRule) {
    this.lockMode = lockMode;
    this.mergeRule = mergeRule;
  }

  /** Parses a stored/wire type name such as {@code "textarea"}; throws IllegalArgumentException when unknown. */
  public static FieldType parse(String name) {
    if (name != null) {
      for (FieldType t : values()) {
        if (t.wireName().equals(name.trim().toLowerCase(Locale.ROOT))) return t;
      }
    }
    throw new IllegalArgumentException("unknown field type: " + name);
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public LockMode lockMode() {
    return lockMode;
  }

  public MergeRule mergeRule() {
    return mergeRule;
  }
}
