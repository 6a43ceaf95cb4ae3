import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An anonymous student identity, carried in a signed cookie. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
}
