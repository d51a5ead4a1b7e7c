package com.wedsync.hub.support;

import java.util.UUID;

/**
 * Fresh forms for tests that must not disturb the demo data other test classes read: a new form on the demo wedding
 * (Emma & James's, supplier Lens & Light) with the fields a test asks for.
 */
public final class TestForms {
  public static final UUID WEDDING = UUID.fromString("44444444-0000-0000-0000-000000000001");
  public static final UUID SUPPLIER = UUID.fromString("22222222-0000-0000-0000-000000000001");

  private TestForms() {}

  /** Creates a form in status {@code sent} with the given fields ("key:type", e.g. "notes:textarea"). */
  public static UUID create(String title, String... fields) {
    UUID form = UUID.randomUUID();
    StringBuilder sql = new StringBuilder("insert into forms (id, supplier_id, wedding_id, title, status) values ('")
        .append(form).append("', '").append(SUPPLIER).append("', '").append(WEDDING).append("', '")
        .append(title.replace("'", "''")).append("', 'sent');");
    int position = 1;
    for (String f : fields) {
      String[] kt = f.split(":");
      String options = kt[1].equals("select") || kt[1].equals("radio") ? "'[\"a\", \"b\", \"c\"]'" : "null";
      String value = kt[1].equals("textarea") ? "'\"\"'" : kt[1].equals("list") ? "'[]'" : "null";
      sql.append("insert into form_fields (form_id, key, label, type, required, options, position, value, version) ")
          .append("values ('").append(form).append("', '").append(kt[0]).append("', '").append(kt[0]).append("', '")
          .append(kt[1]).append("', false, ").append(options).append(", ").append(position++).append(", ")
          .append(value).append(", 0);");
    }
    TestPostgres.execute(sql.toString());
    return form;
  }
}
