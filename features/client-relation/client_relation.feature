@area:client-relation-management
Feature: Client relation document (asiakkuusasiakirja)
  The service organiser archives one client relation document per client
  (handbook 9.4). Every change of the relation is a new version, and a
  temporary identifier is replaced by the identity code here first.

  @area:general @area:document-creation
  @about:REQ-CR-001 @req:REQ-CRD-004 @req:REQ-CR-003 @req:REQ-DOC-030 @req:REQ-DOC-032 @req:REQ-DOC-035
  @req:REQ-DOC-040 @req:REQ-DOC-041 @req:REQ-DOC-043 @req:REQ-DOC-050 @req:REQ-DOC-051 @req:REQ-META-003
  @req:REQ-META-004 @req:REQ-META-005 @req:REQ-DOC-012 @req:REQ-DOC-020 @req:REQ-QRY-019 @req:REQ-SRV-006
  @req:REQ-SRV-010 @req:REQ-SIG-002 @req:REQ-SIG-003 @req:REQ-DOC-024 @req:REQ-DOC-021 @req:REQ-DOC-023
  @req:REQ-SU-001 @req:REQ-CR-012 @req:REQ-SRV-003
  Scenario: Opening a client relation archives the client relation document
    Given a test client "A"
    When the system opens a client relation for "A"
    Then the archive accepted every message of the action
    And the last message carried service request "SP1"
    And the last message carried usage situation "1"
    And the archive holds a client relation document for "A"
    And the archive holds "crd:A" at version 1

  @req:REQ-SRV-017 @about:REQ-SRV-018 @req:REQ-DOC-060 @req:REQ-DOC-033 @req:REQ-DOC-034 @req:REQ-ARC-016 @req:REQ-SRV-031
  @req:REQ-PRF-017
  Scenario: Updating the client relation archives a new version
    Given a test client "A"
    And the system has opened a client relation for "A"
    When the system updates the client relation of "A"
    Then the archive accepted every message of the action
    And the archive holds "crd:A" at version 2

  @about:REQ-CR-004 @req:REQ-CRD-005
  Scenario: Ending the client relation archives the ending version
    Given a test client "A"
    And the system has opened a client relation for "A"
    When the system ends the client relation of "A"
    Then the archive accepted every message of the action
    And the archive holds "crd:A" at version 2

  @area:document-creation
  @about:REQ-DOC-044 @req:REQ-MK-014
  Scenario: A minor's client relation document says whether the guardians may see it
    Given a test client "C" aged 15
    When the system opens a client relation for "C"
    Then the archive accepted every message of the action
    And the archive holds "crd:C" with guardian disclosure code "1"

  @area:document-creation
  @about:REQ-SRV-044 @req:REQ-DOC-042 @req:REQ-DOC-061 @req:REQ-ID-001 @req:REQ-ID-005
  Scenario: A client without an identity code is archived under a temporary identifier
    Given a test client "T" known only by a temporary identifier
    When the system opens a client relation for "T"
    Then the archive accepted every message of the action

  @area:document-creation @area:case-management
  @about:REQ-ID-006 @req:REQ-ID-010 @req:REQ-ID-012 @req:REQ-ID-008 @req:REQ-ID-014
  Scenario: The temporary identifier is replaced by the identity code, first in the client relation document
    Given a test client "T" known only by a temporary identifier
    And the system has opened a client relation for "T"
    And the system has opened a case "K" for "T"
    When the system replaces the temporary identifier of "T" with an identity code
    Then the archive accepted every message of the action
    And the archive holds "crd:T" under the identity code of "T"
    When the system stores a journal entry "J" in case "K"
    Then the archive holds "J" under the identity code of "T"

  @req:REQ-DOC-060 @about:REQ-CRD-001 @negative
  Scenario: Opening a client relation again does not make a second client relation document
    Given a test client "A"
    And the system has opened a client relation for "A"
    When the system is asked to open a client relation for "A" again
    Then the archive rejected no message of the action
    And the archive holds 1 live document set for "A"

  @about:REQ-CR-005
  Scenario: A renewed need is recorded in the same client relation document
    Given a test client "A"
    And the system has opened a client relation for "A"
    And the system ends the client relation of "A"
    When the system opens a client relation for "A"
    Then the archive accepted every message of the action
    And the archive holds "crd:A" at version 3
    And the archive holds 1 live document set for "A"

  @area:case-management
  @about:REQ-CR-006 @req:REQ-CP-005
  Scenario: A case's service task is entered in the client relation document
    Given a test client "A"
    And the system has opened a client relation for "A"
    When the system opens a case "K" in service task "10" for "A"
    Then the archive accepted every message of the action
    And the archive holds "crd:A" naming service task "10"

  @area:case-management
  @about:REQ-DOC-126
  Scenario: The client relation document keeps its service tasks in later versions
    Given a test client "A"
    And the system has opened a client relation for "A"
    And the system has opened a case "K" in service task "10" for "A"
    When the system updates the client relation of "A"
    Then the archive accepted every message of the action
    And the archive holds "crd:A" naming service task "24"
    And the archive holds "crd:A" naming service task "10"
