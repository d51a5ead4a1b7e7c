package com.wedsync.hub.notify;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Who hears about what, one query per trigger. The rules users expect: a form's events go to the other side of it
 * (the couple's doings to the supplier's team, the supplier's to the couple); a wedding's core facts go to the couple
 * and to the teams of the suppliers the couple shares that fact with; a supplier's team never hears about another
 * supplier's form; nobody is told about what they did themselves.
 */
public final class Recipients {
  private Recipients() {}

  /** The team of the form's supplier, but the actor. */
  public static Audience supplierTeam(UUID formId, UUID actor) {
    return new Audience("""
        select tm.user_id from forms f join team_members tm on tm.supplier_id = f.supplier_id
         where f.id = $1 and tm.user_id is distinct from $2""", Arrays.asList(formId, actor));
  }

  /** The members of the couple the form was sent to, but the actor. */
  public static Audience couple(UUID formId, UUID actor) {
    return new Audience("""
        select cm.user_id from forms f join weddings w on w.id = f.wedding_id
          join couple_members cm on cm.couple_id = w.couple_id
         where f.id = $1 and cm.user_id is distinct from $2""", Arrays.asList(formId, actor));
  }

  /** The side of the form the actor is not on (their note is news to the others), leaving out {@code except}. */
  public static Audience otherSide(UUID formId, UUID actor, boolean actorIsSupplier, List<UUID> except) {
    String sql = actorIsSupplier ? """
        select cm.user_id from forms f join weddings w on w.id = f.wedding_id
          join couple_members cm on cm.couple_id = w.couple_id
         where f.id = $1 and cm.user_id is distinct from $2 and not (cm.user_id = any($3))""" : """
        select tm.user_id from forms f join team_members tm on tm.supplier_id = f.supplier_id
         where f.id = $1 and tm.user_id is distinct from $2 and not (tm.user_id = any($3))""";
    return new Audience(sql, Arrays.asList(formId, actor, except.toArray(new UUID[0])));
  }

  /** People named in a note who can see the form (its supplier's team or its couple), but the author. */
  public static Audience mentioned(UUID formId, UUID actor, List<UUID> mentions) {
    return new Audience("""
        select m.id as user_id from unnest($3::uuid[]) as m(id)
          join forms f on f.id = $1
          join weddings w on w.id = f.wedding_id
         where m.id is distinct from $2
           and (exists (select 1 from team_members tm where tm.supplier_id = f.supplier_id and tm.user_id = m.id)
             or exists (select 1 from couple_members cm where cm.couple_id = w.couple_id and cm.user_id = m.id))""",
        Arrays.asList(formId, actor, mentions.toArray(new UUID[0])));
  }

  /** The couple and the teams of the suppliers the couple shares this core fact with, but the actor. */
  public static Audience weddingFact(UUID weddingId, UUID actor, String coreField) {
    return new Audience("""
        select x.user_id from (
          select cm.user_id from weddings w join couple_members cm on cm.couple_id = w.couple_id where w.id = $1
          union
          select tm.user_id from wedding_suppliers ws join team_members tm on tm.supplier_id = ws.supplier_id
           where ws.wedding_id = $1 and $3::text = any(ws.shared_fields)) x
         where x.user_id is distinct from $2""", Arrays.asList(weddingId, actor, coreField));
  }

  /** One user (a broken lock's holder), unless they are the actor. */
  public static Audience user(UUID userId, UUID actor) {
    return new Audience("select u.id as user_id from users u where u.id = $1 and u.id is distinct from $2",
        Arrays.asList(userId, actor));
  }

  /** Users named by id (another service's notification); ids of no known user are skipped. */
  public static Audience users(List<UUID> ids) {
    return new Audience("select u.id as user_id from users u where u.id = any($1::uuid[])",
        Arrays.asList((Object) ids.toArray(new UUID[0])));
  }
}
